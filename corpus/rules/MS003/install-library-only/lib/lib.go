package lib

func Hello() string { return "hi" }
