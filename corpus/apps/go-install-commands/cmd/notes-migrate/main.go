package main

import "fmt"

func main() {
	fmt.Println("nothing to migrate: notes live in memory")
}
