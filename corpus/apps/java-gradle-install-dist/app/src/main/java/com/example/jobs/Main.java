package com.example.jobs;

public final class Main {
    private Main() {
    }

    public static void main(String[] args) throws InterruptedException {
        boolean once = args.length > 0 && args[0].equals("--once");
        long interval = Long.parseLong(System.getenv().getOrDefault("JOBS_INTERVAL", "60"));
        do {
            System.out.println("running scheduled jobs");
            if (!once) {
                Thread.sleep(interval * 1000);
            }
        } while (!once);
    }
}
