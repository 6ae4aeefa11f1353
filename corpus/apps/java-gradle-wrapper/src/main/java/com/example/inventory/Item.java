package com.example.inventory;

/** One stock-keeping unit and how many are on hand. */
public record Item(String sku, String name, int quantity) {

    public Item {
        if (sku == null || sku.isBlank()) {
            throw new IllegalArgumentException("sku must not be blank");
        }
        if (quantity < 0) {
            throw new IllegalArgumentException("quantity must not be negative");
        }
    }

    public Item withQuantity(int newQuantity) {
        return new Item(sku, name, newQuantity);
    }

    String toJson() {
        return "{\"sku\":\"" + sku + "\",\"name\":\"" + name.replace("\"", "\\\"")
                + "\",\"quantity\":" + quantity + "}";
    }
}
