plugins {
    java
}

tasks.jar {
    archiveFileName.set("app-${project.version}.jar")
}
