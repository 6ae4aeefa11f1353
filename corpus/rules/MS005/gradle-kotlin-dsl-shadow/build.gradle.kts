plugins {
    kotlin("jvm") version "1.9.23"
    id("com.gradleup.shadow") version "8.3.0"
    application
}

tasks {
    shadowJar {
        archiveBaseName.set("bench")
        archiveClassifier.set("")
        archiveVersion.set("")
    }
}
