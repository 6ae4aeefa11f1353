rootProject.name = "jobs-runner"
include("app")
