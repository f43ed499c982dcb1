BASE = "t1"
