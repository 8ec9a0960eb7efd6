"""HTML input: the page -> lines with structural signals (``lines``), guarded against hostile markup
(``guard``), the metadata the page states (``meta``), the HTML columns of the line model (``features``)
and the HTML-aware model (``model``). Import the submodule you need; this package imports nothing itself."""
