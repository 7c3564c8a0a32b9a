"""jakatlas."""
