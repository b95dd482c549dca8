"""Expert draws (随机抽取): the versioned, reproducible draw algorithm."""
