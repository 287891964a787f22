"""iamviz.playback."""
