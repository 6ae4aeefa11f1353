def main():
    print('report')
