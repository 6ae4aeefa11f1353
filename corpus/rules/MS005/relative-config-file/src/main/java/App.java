import java.io.File;

public class App {
    public static void main(String[] args) {
        File settings = new File("config/app.properties");
        System.out.println(settings.exists());
    }
}
