"""The learned line model artifact (LightGBM text models and their JSON card), loaded by heuristics.model."""
