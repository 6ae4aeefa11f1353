rootProject.name = "ignored"
