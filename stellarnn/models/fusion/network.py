"""The fusion architecture: 16 chained sub-models over 8 inputs (Teff, L, R and the five geometric columns).

Per sub-model, as in the seed: LayerNorm -> Dense (GELU) -> PReLU -> LayerNorm -> GaussianDropout; the output's
physics estimate joins; hidden Dense layers; the head. Regression heads add a learned correction (initialised
at zero) to the physics estimate. Class heads are softmax layers whose physics branch is Discretization +
Embedding of the quantities the label scheme classifies by (log Teff, log L, log R and, in the default scheme,
the height above the dwarf sequence), cut at the scheme's own class boundaries: the network is told where the
boundaries lie and learns which class each combination of bins is. Every sub-model sees the inputs and all
earlier outputs (as features: gradients do not flow back along the chain, so each output is trained by its
own loss only). L1L2 regularisation throughout.
"""

import numpy as np

from stellarnn.models.fusion.data import INPUT_COLUMNS
from stellarnn.models.fusion.outputs import CLASSIFICATION


def _class_embeddings(scheme: str, logs, model_config):
    """Discretization + Embedding of each quantity at the scheme's class boundaries."""
    from keras import layers

    from stellarnn.models.fusion.layers import Columns, DwarfHeight
    from stellarnn.physics import default_scheme, fusion_scheme

    rules = {"default": default_scheme, "fusion": fusion_scheme}[scheme]
    sources = {
        "log_teff": Columns([0], name="class_log_teff")(logs),
        "log_lum": Columns([1], name="class_log_lum")(logs),
        "log_radius": Columns([2], name="class_log_radius")(logs),
    }
    if scheme == "default":
        knots_teff, knots_radius = default_scheme.dwarf_radius_knots()
        teff_radius = Columns([0, 2], name="class_log_teff_radius")(logs)
        sources["dwarf_height"] = DwarfHeight(knots_teff, knots_radius, name="dwarf_height")(teff_radius)
    embeddings = []
    for quantity, boundaries in rules.class_boundaries().items():
        bins = layers.Discretization(bin_boundaries=boundaries, name=f"bins_{quantity}")(sources[quantity])
        vectors = layers.Embedding(len(boundaries) + 1, model_config.embedding_dim, name=f"embed_{quantity}")(bins)
        embeddings.append(layers.Flatten(name=f"flat_{quantity}")(vectors))
    return embeddings


def build(model_config, output_specs, log_inputs_train: np.ndarray, scheme: str):
    """``output_specs``: dicts with name, kind, labels or (estimate, center, scale); adapts on training data."""
    import keras
    from keras import layers

    from stellarnn.models.fusion.layers import Columns, Detached, Log10, PhysicsEstimate, gelu_tanh

    reg = keras.regularizers.L1L2(l1=model_config.l1, l2=model_config.l2)
    raw = keras.Input((len(INPUT_COLUMNS),), name="stellar_inputs")
    logs = Log10(name="log_inputs")(raw)
    normalise = layers.Normalization(name="input_scaling")
    normalise.adapt(log_inputs_train)
    features = normalise(logs)
    teff_lum_radius = Columns([0, 1, 2], name="log_teff_lum_radius")(logs)

    embeddings = _class_embeddings(scheme, logs, model_config)

    previous, outputs = [], {}
    for spec in output_specs:
        name = spec["name"]
        x = layers.Concatenate(name=f"{name}_sees")([features, *previous]) if previous else features
        x = layers.LayerNormalization(name=f"{name}_norm1")(x)
        x = layers.Dense(model_config.dense_units, activation=gelu_tanh, kernel_regularizer=reg, name=f"{name}_dense1")(
            x
        )
        x = layers.PReLU(name=f"{name}_prelu")(x)
        x = layers.LayerNormalization(name=f"{name}_norm2")(x)
        x = layers.GaussianDropout(model_config.gaussian_dropout, name=f"{name}_dropout")(x)
        estimate = None
        if spec.get("estimate") is not None:
            coefficients, offset = spec["estimate"]
            estimate = PhysicsEstimate(coefficients, offset, spec["center"], spec["scale"], name=f"{name}_physics")(
                teff_lum_radius
            )
        joined = (
            [x] + ([estimate] if estimate is not None else []) + (embeddings if spec["kind"] == CLASSIFICATION else [])
        )
        x = layers.Concatenate(name=f"{name}_joined")(joined) if len(joined) > 1 else x
        for k in range(model_config.hidden_layers):
            x = layers.Dense(
                model_config.hidden_units, activation=gelu_tanh, kernel_regularizer=reg, name=f"{name}_hidden{k + 1}"
            )(x)
        if spec["kind"] == CLASSIFICATION:
            y = layers.Dense(len(spec["labels"]), activation="softmax", kernel_regularizer=reg, name=name)(x)
        elif estimate is not None:
            sparse = keras.regularizers.L1(model_config.correction_l1)  # no correction unless the data need one
            correction = layers.Dense(
                1, kernel_initializer="zeros", kernel_regularizer=sparse, name=f"{name}_correction"
            )(x)
            y = layers.Add(name=name)([estimate, correction])
        else:
            y = layers.Dense(1, kernel_regularizer=reg, name=name)(x)
        outputs[name] = y
        previous.append(Detached(name=f"{name}_as_feature")(y))
    return keras.Model(raw, outputs, name="fusion")
