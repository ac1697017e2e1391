"""Instagram messaging: the Messenger Platform for Instagram (entry[].messaging[], IGSID)."""
