"""iamviz.render."""
