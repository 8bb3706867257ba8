"""Catalogue-scale runs: predict or classify a partitioned Parquet catalogue on a Dask cluster, one output
file per input partition, resumable."""
