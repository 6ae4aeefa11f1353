<?php
@mkdir("/var/cache/worker");
file_put_contents("/var/cache/worker/state.txt", "ok");
