"""iamviz.gui."""
