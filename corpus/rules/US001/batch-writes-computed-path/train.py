import os
import sys

out_dir = sys.argv[1] if len(sys.argv) > 1 else os.getcwd()
with open(os.path.join(out_dir, "model.txt"), "w") as f:
    f.write("w=1")
