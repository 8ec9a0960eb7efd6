"""Development tools, run from a checkout and never installed with the package: the DEV bench runner
(``bench``), model training (``train``, ``train_html``) and evaluation (``model_eval``).

They use the engine through its public functions; nothing in ``heuristics/`` or ``service/`` imports them
(``tests/heuristics/test_imports.py``). ``textwash bench`` and ``textwash train`` load them from the checkout.
"""
