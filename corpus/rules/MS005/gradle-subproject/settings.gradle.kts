rootProject.name = "repo"
include("core")
include("server")
