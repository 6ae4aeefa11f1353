package main

import (
	"embed"
	"html/template"
	"net/http"
)

//go:embed templates/*.html
var files embed.FS

func main() {
	pages := template.Must(template.ParseFS(files, "templates/*.html"))
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { pages.ExecuteTemplate(w, "index.html", nil) })
	http.ListenAndServe(":8080", nil)
}
