package com.example.greeter;

/** Builds greeting messages; kept separate from the HTTP layer. */
public final class Greeter {

    private final String greeting;

    public Greeter(String greeting) {
        this.greeting = greeting;
    }

    public String greet(String name) {
        if (name == null || name.isBlank()) {
            return greeting + ", world!";
        }
        return greeting + ", " + name.strip() + "!";
    }
}
