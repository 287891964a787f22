"""iamviz.loading."""
