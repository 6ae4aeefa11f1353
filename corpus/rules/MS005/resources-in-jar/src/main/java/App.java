public class App {
    public static void main(String[] args) throws Exception {
        var in = App.class.getResourceAsStream("/banner.txt");
        System.out.println(in != null);
    }
}
