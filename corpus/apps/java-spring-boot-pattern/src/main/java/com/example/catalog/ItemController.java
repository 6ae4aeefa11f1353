package com.example.catalog;

import java.util.List;
import java.util.Map;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
public class ItemController {
    private final List<Map<String, Object>> items = List.of(
            Map.of("id", 1, "name", "kettle"),
            Map.of("id", 2, "name", "teapot"));

    @GetMapping("/items")
    public List<Map<String, Object>> items() {
        return items;
    }
}
