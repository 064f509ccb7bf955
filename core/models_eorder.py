"""Tables of the eorder SOPs."""
