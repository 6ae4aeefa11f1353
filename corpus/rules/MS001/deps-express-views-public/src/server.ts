import express from "express";

const app = express();
app.set("view engine", "ejs");
app.set("views", "views");
app.use(express.static("public"));
app.get("/", (_req, res) => res.render("index", { title: "Shop" }));
app.listen(8080);
