plugins {
    java
}

tasks.jar {
    archiveClassifier.set("app")
}
