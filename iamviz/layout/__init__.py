"""iamviz.layout."""
