package main

import "os"

func main() {
	_ = os.MkdirAll("reports", 0o755)
	f, _ := os.Create("reports/today.txt")
	f.Close()
}
