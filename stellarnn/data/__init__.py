"""Small data tables shipped with the package."""
