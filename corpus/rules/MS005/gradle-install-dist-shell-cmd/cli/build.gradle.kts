plugins {
    application
}

application.mainClass.set("App")
