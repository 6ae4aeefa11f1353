package main

import (
	"net/http"
	"os"
)

func main() {
	page, _ := os.ReadFile(os.Getenv("PAGE_FILE"))
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { w.Write(page) })
	http.ListenAndServe(":8080", nil)
}
