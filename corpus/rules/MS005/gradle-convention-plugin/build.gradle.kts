plugins {
    id("conventions")
}
