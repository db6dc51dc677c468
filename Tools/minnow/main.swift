print("minnow")
