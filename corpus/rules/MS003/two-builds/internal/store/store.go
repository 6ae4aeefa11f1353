package store

const Name = "shop"
