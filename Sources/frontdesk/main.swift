import FrontdeskServer
print("frontdesk")
