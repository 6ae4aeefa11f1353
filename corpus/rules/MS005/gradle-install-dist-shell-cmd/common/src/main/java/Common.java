public class Common {}
