"""Domain operations of kiemtra: one named function per state change; callers commit."""
