"""Tables of the gallery SOPs."""
