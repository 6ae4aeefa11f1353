plugins {
    application
    id("com.github.johnrengelman.shadow")
}
