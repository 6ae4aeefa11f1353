rootProject.name = "bench"
include("common", "cli")
