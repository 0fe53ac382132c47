"""Receiver geography for the demo buyers: provinces (with their suffix variants), cities, districts, streets.

Provinces carry a weight (share of online orders, roughly: the coastal provinces dominate), the ERP warehouse that
serves them and whether they are remote (post fee surcharge, long transit). Tmall addresses use the province name
in one of two spellings per buyer (`上海` / `上海市`, `内蒙古` / `内蒙古自治区`); the ERP always uses the official name.
"""

from __future__ import annotations

from dataclasses import dataclass

# official|short|weight|region|remote|city:district,district;city:district,...
# region S = served by the south warehouse, anything else by the east warehouse.
_PROVINCES = """
北京市|北京|4.2|N|0|北京市:朝阳区,海淀区,丰台区,西城区,东城区,通州区,昌平区
天津市|天津|1.6|N|0|天津市:南开区,河西区,和平区,滨海新区,西青区
河北省|河北|3.0|N|0|石家庄市:长安区,桥西区,裕华区;保定市:竞秀区,莲池区;唐山市:路北区,路南区;廊坊市:广阳区,安次区
山西省|山西|1.4|N|0|太原市:小店区,迎泽区,杏花岭区;大同市:平城区,云冈区
内蒙古自治区|内蒙古|0.9|N|1|呼和浩特市:新城区,赛罕区,回民区;包头市:昆都仑区,青山区;鄂尔多斯市:东胜区,康巴什区
辽宁省|辽宁|2.3|N|0|沈阳市:和平区,沈河区,铁西区,浑南区;大连市:中山区,沙河口区,甘井子区
吉林省|吉林|1.1|N|0|长春市:朝阳区,南关区,绿园区;吉林市:船营区,丰满区
黑龙江省|黑龙江|1.2|N|0|哈尔滨市:南岗区,道里区,香坊区;大庆市:萨尔图区,让胡路区
上海市|上海|5.2|E|0|上海市:浦东新区,闵行区,徐汇区,静安区,杨浦区,宝山区,松江区,嘉定区
江苏省|江苏|8.0|E|0|南京市:玄武区,秦淮区,建邺区,鼓楼区,江宁区;苏州市:姑苏区,吴中区,虎丘区,吴江区;无锡市:梁溪区,滨湖区,新吴区;常州市:天宁区,武进区,新北区;南通市:崇川区,通州区
浙江省|浙江|7.6|E|0|杭州市:西湖区,上城区,拱墅区,滨江区,余杭区,萧山区;宁波市:海曙区,鄞州区,江北区;温州市:鹿城区,瓯海区;嘉兴市:南湖区,秀洲区;金华市:婺城区,金东区
安徽省|安徽|2.8|E|0|合肥市:蜀山区,包河区,庐阳区,瑶海区;芜湖市:镜湖区,鸠江区;蚌埠市:蚌山区,龙子湖区
福建省|福建|3.4|S|0|福州市:鼓楼区,台江区,仓山区,晋安区;厦门市:思明区,湖里区,集美区;泉州市:丰泽区,鲤城区
江西省|江西|1.9|S|0|南昌市:东湖区,西湖区,青山湖区,红谷滩区;赣州市:章贡区,南康区
山东省|山东|5.0|N|0|济南市:历下区,市中区,槐荫区,历城区;青岛市:市南区,市北区,黄岛区,崂山区;烟台市:芝罘区,莱山区;潍坊市:奎文区,潍城区
河南省|河南|3.9|N|0|郑州市:金水区,二七区,中原区,管城回族区;洛阳市:西工区,洛龙区;新乡市:红旗区,卫滨区
湖北省|湖北|3.3|N|0|武汉市:江岸区,江汉区,武昌区,洪山区,汉阳区;宜昌市:西陵区,伍家岗区;襄阳市:襄城区,樊城区
湖南省|湖南|2.9|S|0|长沙市:岳麓区,芙蓉区,天心区,开福区,雨花区;株洲市:天元区,芦淞区;湘潭市:雨湖区,岳塘区
广东省|广东|10.5|S|0|广州市:天河区,越秀区,海珠区,白云区,番禺区;深圳市:南山区,福田区,罗湖区,宝安区,龙岗区;东莞市:南城街道,东城街道,莞城街道;佛山市:禅城区,南海区,顺德区;珠海市:香洲区,金湾区
广西壮族自治区|广西|1.8|S|0|南宁市:青秀区,兴宁区,西乡塘区;桂林市:象山区,七星区;柳州市:城中区,鱼峰区
海南省|海南|0.7|S|0|海口市:龙华区,美兰区,秀英区;三亚市:吉阳区,天涯区
重庆市|重庆|2.4|S|0|重庆市:渝中区,江北区,南岸区,渝北区,沙坪坝区,九龙坡区
四川省|四川|4.3|S|0|成都市:锦江区,青羊区,武侯区,成华区,金牛区,高新区;绵阳市:涪城区,游仙区;德阳市:旌阳区
贵州省|贵州|1.2|S|0|贵阳市:南明区,云岩区,观山湖区;遵义市:红花岗区,汇川区
云南省|云南|1.6|S|0|昆明市:五华区,盘龙区,官渡区,西山区;大理白族自治州:大理市;曲靖市:麒麟区
西藏自治区|西藏|0.15|S|1|拉萨市:城关区,堆龙德庆区
陕西省|陕西|2.4|N|0|西安市:雁塔区,碑林区,未央区,新城区,莲湖区;咸阳市:秦都区,渭城区
甘肃省|甘肃|0.8|N|1|兰州市:城关区,七里河区,安宁区;天水市:秦州区
青海省|青海|0.3|N|1|西宁市:城东区,城西区,城中区
宁夏回族自治区|宁夏|0.4|N|1|银川市:兴庆区,金凤区,西夏区
新疆维吾尔自治区|新疆|0.9|N|1|乌鲁木齐市:天山区,沙依巴克区,新市区,水磨沟区;克拉玛依市:克拉玛依区
"""

STREETS = (
    "沙洲街道",
    "新街口街道",
    "城关镇",
    "人民路街道",
    "解放路街道",
    "中山路街道",
    "东湖街道",
    "西湖街道",
    "南湖街道",
    "北苑街道",
    "长安街道",
    "和平街道",
    "建设路街道",
    "光明街道",
    "文化路街道",
    "兴华街道",
    "江南街道",
    "滨江街道",
    "湖滨街道",
    "新城街道",
    "开发区街道",
    "高新街道",
    "花园街道",
    "金桥镇",
    "张江镇",
    "龙华街道",
    "石岩街道",
    "五一路街道",
    "府前街道",
    "朝阳街道",
    "清河街道",
    "望京街道",
)


@dataclass(frozen=True)
class Province:
    official: str
    short: str
    weight: float
    south: bool
    remote: bool
    cities: tuple[tuple[str, tuple[str, ...]], ...]

    @property
    def municipality(self) -> bool:
        return self.official in ("北京市", "天津市", "上海市", "重庆市")


def _parse() -> tuple[Province, ...]:
    provinces = []
    for line in _PROVINCES.strip().splitlines():
        official, short, weight, region, remote, spec = line.split("|")
        cities = []
        for city_spec in spec.split(";"):
            city, districts = city_spec.split(":")
            cities.append((city, tuple(districts.split(","))))
        provinces.append(Province(official, short, float(weight), region == "S", remote == "1", tuple(cities)))
    return tuple(provinces)


PROVINCES: tuple[Province, ...] = _parse()
