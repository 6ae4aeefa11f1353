package main

import (
	"net/http"
	"os"
)

func main() {
	f, err := os.Open("config/settings.json")
	if err == nil {
		f.Close()
	}
	http.ListenAndServe(":8080", nil)
}
