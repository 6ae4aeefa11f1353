import subprocess


def revision():
    return subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True).stdout
