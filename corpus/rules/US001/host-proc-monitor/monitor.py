import os

PROC = os.environ.get("PROC_ROOT", "/host/proc")
print(os.listdir(PROC))
