package com.example.inventory;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;

/** HTTP front end for the inventory: /health, /items and /items/{sku}. */
public final class InventoryServer {

    private InventoryServer() {
    }

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(System.getenv().getOrDefault("PORT", "8081"));
        Inventory inventory = Inventory.seeded();

        HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
        server.createContext("/health", exchange ->
                send(exchange, 200, "{\"status\":\"ok\",\"version\":\"" + version() + "\"}"));
        server.createContext("/items", exchange -> handleItems(exchange, inventory));
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
        System.out.printf("inventory %s listening on :%d%n", version(), port);
    }

    private static void handleItems(HttpExchange exchange, Inventory inventory) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String rest = path.length() > "/items".length() ? path.substring("/items/".length()) : "";
        var response = switch (rest) {
            case "" -> new Response(200, inventory.all().stream()
                    .map(Item::toJson)
                    .collect(Collectors.joining(",", "[", "]")));
            default -> inventory.find(rest)
                    .map(item -> new Response(200, item.toJson()))
                    .orElseGet(() -> new Response(404, "{\"error\":\"not found\"}"));
        };
        send(exchange, response.status(), response.body());
    }

    private static String version() {
        String v = InventoryServer.class.getPackage().getImplementationVersion();
        return v != null ? v : "dev";
    }

    private static void send(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private record Response(int status, String body) {
    }
}
