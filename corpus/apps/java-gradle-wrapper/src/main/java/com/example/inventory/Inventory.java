package com.example.inventory;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Thread-safe in-memory stock store. */
public final class Inventory {

    private final Map<String, Item> items = new ConcurrentHashMap<>();

    public void put(Item item) {
        items.put(item.sku(), item);
    }

    public Optional<Item> find(String sku) {
        return Optional.ofNullable(items.get(sku));
    }

    public List<Item> all() {
        return items.values().stream()
                .sorted((a, b) -> a.sku().compareTo(b.sku()))
                .toList();
    }

    /** Removes {@code count} units; returns the updated item. */
    public Item take(String sku, int count) {
        Item updated = items.computeIfPresent(sku, (key, item) -> {
            if (item.quantity() < count) {
                throw new IllegalStateException("only " + item.quantity() + " of " + key + " left");
            }
            return item.withQuantity(item.quantity() - count);
        });
        if (updated == null) {
            throw new IllegalArgumentException("unknown sku " + sku);
        }
        return updated;
    }

    public static Inventory seeded() {
        Inventory inventory = new Inventory();
        inventory.put(new Item("BLT-M6", "Hex bolt M6x30", 420));
        inventory.put(new Item("NUT-M6", "Hex nut M6", 980));
        inventory.put(new Item("WSH-M6", "Flat washer M6", 1500));
        return inventory;
    }
}
