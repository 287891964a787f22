"""iamviz.analysis."""
