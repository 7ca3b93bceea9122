"""Training the reader (assistant/reading/model.py): a cross-encoder fine-tuned from
all-MiniLM-L6-v2 on SQuAD articles and our BBC dev questions, exported to int8 ONNX under
models/reader/ with its manifest and model card.

Not part of the installed project: it needs torch and transformers (the ``train`` extra,
in ``.venv-train``); the assistant serves the exported graph without them.

    .venv-train/bin/python -m training [--smoke] [--resume] [--out DIR]
"""
