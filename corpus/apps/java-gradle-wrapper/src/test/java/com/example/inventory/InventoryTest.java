package com.example.inventory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class InventoryTest {

    @Test
    void takeReducesQuantity() {
        Inventory inventory = Inventory.seeded();
        Item after = inventory.take("NUT-M6", 80);
        assertEquals(900, after.quantity());
        assertEquals(900, inventory.find("NUT-M6").orElseThrow().quantity());
    }

    @Test
    void takeMoreThanStockFails() {
        Inventory inventory = new Inventory();
        inventory.put(new Item("A-1", "Widget", 2));
        assertThrows(IllegalStateException.class, () -> inventory.take("A-1", 3));
    }

    @Test
    void unknownSkuIsAbsent() {
        assertTrue(Inventory.seeded().find("NOPE").isEmpty());
    }

    @Test
    void listingIsSortedBySku() {
        var skus = Inventory.seeded().all().stream().map(Item::sku).toList();
        assertEquals(skus.stream().sorted().toList(), skus);
    }
}
